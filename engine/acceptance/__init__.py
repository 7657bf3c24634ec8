"""Acceptance scenarios: the business's criteria in YAML (`scenarios/*.yaml`), run on
throwaway databases through the Store (`guanxi test`) and rendered for sign-off."""
