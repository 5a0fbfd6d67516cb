"""The quickstart notebook runs top to bottom on the bundled sample (what issue 12 asks of CI)."""
import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


@pytest.mark.slow
def test_quickstart_notebook_runs_top_to_bottom(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # a folder with the repository's data beside it, so the notebook's outputs (model/, run/) land here
    (tmp_path / "data").symlink_to(NOTEBOOK.parents[1] / "data", target_is_directory=True)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(os.environ, FEEDMINE_CACHE_DIR=str(tmp_path / "cache"))
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    old = dict(os.environ)
    os.environ.update(env)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert (tmp_path / "run" / "report.html").is_file() and (tmp_path / "model").is_dir()
