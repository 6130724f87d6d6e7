from p4c.cli import main

main()
