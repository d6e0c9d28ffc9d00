// Small progressive enhancements for capture forms; every form works without them.

function geolocate(button) {
  const form = button.closest("form");
  const status = form.querySelector("[data-geo-status]");
  if (!("geolocation" in navigator)) {
    status.textContent = "This browser cannot share a location.";
    return;
  }
  status.textContent = "Finding your location…";
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const { latitude, longitude, accuracy } = position.coords;
      form.querySelector("[name=lat]").value = latitude.toFixed(6);
      form.querySelector("[name=lon]").value = longitude.toFixed(6);
      form.querySelector("[name=accuracy_m]").value = Math.round(accuracy);
      const poor = accuracy > Number(button.dataset.maxAccuracy || 50);
      status.textContent = `Location saved (±${Math.round(accuracy)} m)` +
        (poor ? ". The fix is poor: move to open sky or try again." : ".");
    },
    (error) => {
      status.textContent = error.code === error.PERMISSION_DENIED
        ? "Location permission was refused; the place is saved without it."
        : "No location fix; the place is saved without it.";
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
  );
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-geolocate]");
  if (button) {
    event.preventDefault();
    geolocate(button);
  }
});
