"""What several test files share: images, backends, page readers, model ids."""
