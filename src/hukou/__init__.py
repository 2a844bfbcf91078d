"""hukou: urban-settlement reform as code — settlement (落户) and residence-permit (居住证) rules with the law beside them."""

__version__ = "0.1.0"
