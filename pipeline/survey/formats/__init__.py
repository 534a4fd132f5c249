"""One reader per survey format, each imported only when a file of its format is read.

``dxf`` (ezdxf), ``gis`` (Shapefile, GeoPackage, GeoJSON, KML through GDAL), ``table`` (CSV and XLSX points),
``archive`` (zip checks). Nothing is imported here, so reading one format never loads another's library.
"""
