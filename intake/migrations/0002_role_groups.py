from django.db import migrations

ROLES = ("front_desk", "nurse", "admin")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Removing the groups on rollback would strip every user's role; keep them.
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
