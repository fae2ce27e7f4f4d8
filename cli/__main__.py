from provdc.app import main

main()
