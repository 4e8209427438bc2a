"""luna: a self-hosted dashboard configured by one YAML file."""

__version__ = "0.1.0"
