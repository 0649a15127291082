"""Branch lakehouses: build a change beside the lakehouse, diff it, canary it, promote it.

A branch lives in ``<root>/_branches/<name>/``. It reads the base's tables it has not written
at the Delta versions pinned when it was created (``_branch.json``), zero-copy, and writes only
its own tables (``BranchStore``). ``promote`` publishes its tables to the base through
``DeltaStore``; ``rollback`` restores them.
"""
