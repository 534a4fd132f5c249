"""Thematic layers: each defined once (data, style, bilingual name), drawn by two renderers.

:mod:`layers.definitions` holds the definitions; the web map (folium, in the app) and the print
figure (matplotlib, for export) both draw from them, so the two always agree.
"""
