"""What dti's stages pass to each other, as frozen objects: methods, data sets, scores, provinces and results."""
