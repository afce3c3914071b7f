from hs.main import main

main()
