"""The web server: staff pages and the JSON API, on the Store."""
