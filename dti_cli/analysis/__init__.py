"""What the figures say, as frames: rankings, comparisons, profiles, verification, explanations, what-ifs, gaps,
uncertainty and the audit of a data set against its method."""
