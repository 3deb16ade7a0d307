"""UI pieces shared by several pages."""
