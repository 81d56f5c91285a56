"""Drawing a composed leaflet: PDF, HTML, the chart, the pictures and the fonts they print with."""
