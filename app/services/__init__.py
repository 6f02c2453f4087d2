"""Services: every use case of CoachLab, each method checking the caller's permission itself."""
