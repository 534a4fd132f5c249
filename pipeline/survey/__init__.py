"""Survey maps: CAD drawings, GIS files and tables read into one schema, placed on the earth, classified.

``formats`` holds one reader per format; ``read`` runs them and the steps after: ``geom`` repairs shapes
and attaches CAD labels to them, ``georef`` and ``register`` place the coordinates (a CRS, or control
points), ``layers`` maps CAD layers to kinds (``survey_layers.toml``), ``result`` holds what came out.
"""

from pipeline.survey.layers import LayerMapping, load_layer_mapping
from pipeline.survey.read import read_survey
from pipeline.survey.register import Registration, fit_registration, read_control_points
from pipeline.survey.result import SurveyLimits, SurveyResult, write_survey

__all__ = [
    "LayerMapping",
    "Registration",
    "SurveyLimits",
    "SurveyResult",
    "fit_registration",
    "load_layer_mapping",
    "read_control_points",
    "read_survey",
    "write_survey",
]
