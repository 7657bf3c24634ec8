"""Package data: schemas shipped with Guanxi."""
