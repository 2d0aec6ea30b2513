"""研值 yanzhi — run a regional science-and-technology innovation plan."""

__version__ = "0.1.0"
