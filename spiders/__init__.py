"""One Scrapy spider per source; a module, its spider `name` and its fixture folder share a slug."""
