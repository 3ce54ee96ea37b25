"""Attribution pages, one module per topic: runs (vendor), and the areas added beside them."""
