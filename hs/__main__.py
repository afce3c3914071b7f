from hs.cli import main

main()
