from luna.cli import main

raise SystemExit(main())
