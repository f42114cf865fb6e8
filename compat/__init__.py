"""The neighbours' dialects: other systems' API shapes translated onto Selgeo's services."""
