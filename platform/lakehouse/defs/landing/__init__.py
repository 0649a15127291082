"""Landing zones as external assets: the first box of the lineage graph."""
