class TransitionNotAllowed(Exception):
    """A state change that the lifecycle does not allow (HTTP 409 in the API)."""


class PermissionDeniedForRole(Exception):
    """The user sees the object but their role may not take this action (HTTP 403)."""
