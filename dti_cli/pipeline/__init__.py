"""From a data set and a method to scores: impute, treat, normalise, aggregate and rank, COINr's stages."""
