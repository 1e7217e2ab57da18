"""The harness for client authors: hypothesis strategies (with faults), assertions,
exhaustive drops, the property hunt, saved failures, a pytest plugin and a clockless driver."""
