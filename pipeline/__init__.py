"""The core pipeline: read OSM and survey maps, find the compound and its gates, number its assets, assess sites.

One subpackage per stage (dependencies point down the list):

- ``core``: schema, errors, coordinate systems (GCJ-02/BD-09), geometry repair, taxonomy, spot categories
- ``osm``: the OSM reader (pyosmium) and the online path (osmnx)
- ``survey``: survey maps (DXF, GIS files, tables) read into one schema, registered and classified
- ``inventory``: compound, gates and the main-gate rule, classification, numbering, the inventory files
- ``walk``: the walking network through the compound's gates
- ``sites``: coverage against GB 50180, candidate sites, supervision zones
- ``city``: many compounds of a city on Dask
- ``workspace``: the per-compound files the app keeps (edits, profile, accepted surveys)
- ``cli``: the command line, the only part that combines the core with the store and the drawings
"""
