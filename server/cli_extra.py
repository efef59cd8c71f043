"""Commands of later areas register here: COMMANDS[name] = (help, setup(parser), func(args, settings))."""
