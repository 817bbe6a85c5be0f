"""Plot functions by method area; import them from :mod:`jtbd_methods.plots`."""
