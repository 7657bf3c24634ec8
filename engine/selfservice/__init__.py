"""Self-service: the public actor's web forms (forms/*.yaml), their spam protection, the
knowledge base's search and votes, and the help centre declared under `public: help_centre:`."""
