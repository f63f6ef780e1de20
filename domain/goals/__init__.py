"""Goals: "save 10,000 for a vacation by June", funded by a budget category."""
