"""The portal: the programme dashboard for managers, a pure reader of the services' HTTP APIs."""
