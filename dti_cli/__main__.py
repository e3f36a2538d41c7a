from dti_cli.cli import main

main()
