"""Coverage against GB 50180-2018 and candidate micro-renovation sites, ranked with their reasons."""

from pipeline.sites.candidates import SiteOptions, candidate_sites
from pipeline.sites.coverage import Coverage, assess_coverage
from pipeline.sites.rank import SiteWeights, assess_sites, find_sites, rank_sites
from pipeline.sites.standards import read_standards
from pipeline.sites.zones import supervision_zones

__all__ = [
    "Coverage",
    "SiteOptions",
    "SiteWeights",
    "assess_coverage",
    "assess_sites",
    "candidate_sites",
    "find_sites",
    "rank_sites",
    "read_standards",
    "supervision_zones",
]
