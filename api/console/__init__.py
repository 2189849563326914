"""The console's shared parts: the Jinja2 environment, the base layout and form macros, the
message catalogues and the files the pages load (CSS, Swagger UI), all served by the service."""
