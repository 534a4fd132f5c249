"""Every compound of a city: the batch on Dask, and the city tables it writes."""

from pipeline.city.batch import BatchOptions, run_batch
from pipeline.city.city import City, read_city

__all__ = [
    "BatchOptions",
    "City",
    "read_city",
    "run_batch",
]
