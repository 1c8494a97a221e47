from gaptrack.cli import main

main()
