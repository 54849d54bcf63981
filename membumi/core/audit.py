from .models import AuditLog


def audit_record(*, actor, action: str, obj=None, summary: str = "", data=None) -> AuditLog:
    """Append one entry to the audit log (call it inside the service's transaction)."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        data=data or {},
    )
