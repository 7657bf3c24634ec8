"""One module per field type; `guanxi.fields.registry` lists them."""
