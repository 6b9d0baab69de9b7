"""The eight sections, one module each; ``scoping.scope.catalogue`` puts them in order."""
