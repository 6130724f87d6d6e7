"""Recommendation plans: one per partner, for its regional authority (field-tests spec, `p4c plan`).

`prefill` decides which practices a plan starts from, `model` holds a plan as data, `words` every
fixed text in en/fr/de, `docx` and `html` write the plan, `workbook` the partner's plan workbook.
"""
