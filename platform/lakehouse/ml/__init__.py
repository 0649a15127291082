"""Machine learning on the lakehouse: churn labels, training, registry, gate, scoring, drift."""
