"""handouts: personalised PDF leaflets for patients weighing acne scar treatment."""

__version__ = "0.1.0"
