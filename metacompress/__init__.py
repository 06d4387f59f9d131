"""metacompress: does a distilled model of code still behave like its teacher?

Library entry points (the CLI is a thin layer over these):
- ``metacompress.relations.transform``: one semantics-preserving rewrite of one snippet.
- ``metacompress.audit.run_audit``: the whole teacher-versus-student audit.
"""

__version__ = "0.1.0"
