"""Field tests and transferability (spec: field-tests.md): the report contract, row rules, evaluation.

`models` holds the field-test report workbook contract as data, `rules` the row rules of one
partner's report, `settings` the `evaluation` config section and `evaluate` the pure evaluation.
"""
