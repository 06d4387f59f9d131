"""Building the demo's models and the test suite's model fixtures; not part of an audit.

- ``tiny``: tiny RoBERTa classifiers with a BPE tokenizer trained in seconds;
- ``distill``: fine-tuning and knowledge distillation for them (``scripts/build_demo_models.py``).

Nothing in the audit imports this package.
"""
