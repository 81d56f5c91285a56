"""What a leaflet says: the content, a patient's choices, and the wording that composes them."""
