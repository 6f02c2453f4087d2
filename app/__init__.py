"""CoachLab application: settings, composition root, storage, services, UI and CLI."""
